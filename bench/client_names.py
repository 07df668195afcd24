"""Names for the client-search benchmark: common and less common first names and surnames of many origins,
spelled as people write them (accents, apostrophes, hyphens, two-word surnames).

Lists are ordered roughly from more to less common; ``bench.client_search`` draws from them with falling weights,
so some names repeat thousands of times in 100,000 clients and others a handful of times, as in a real city.
"""

FIRST_NAMES = (
    "Michael", "María", "James", "Jennifer", "David", "Jessica", "José", "Ashley", "Robert", "Emily", "John",
    "Sarah", "Christopher", "Ana", "Daniel", "Elizabeth", "Matthew", "Sofía", "Joshua", "Amanda", "Luis", "Lauren",
    "Juan", "Nguyệt", "Andrew", "Megan", "William", "Hannah", "Joseph", "Olivia", "Anthony", "Emma", "Ryan",
    "Fatima", "Kevin", "Grace", "Mohammed", "Lucía", "Jordan", "Camila", "Wei", "Priya", "Carlos", "Valentina",
    "Jesús", "Guadalupe", "Thảo", "Minh", "Ngozi", "Chidi", "Youssef", "Layla", "Aisha", "Omar", "Arjun",
    "Ananya", "Hiroshi", "Yuki", "Min-jun", "Seo-yeon", "François", "Hélène", "Zoé", "Chloé", "Théo", "Léa",
    "Benoît", "Jérôme", "Cécile", "Noémie", "Jürgen", "Jörg", "Björn", "Søren", "Åsa", "Øystein", "Łukasz",
    "Małgorzata", "Wojciech", "Agnieszka", "Jiří", "Tomáš", "Zuzana", "Siobhán", "Seán", "Niamh", "Aoife",
    "Oisín", "Ciarán", "Saoirse", "Éamon", "Ayşe", "Çağla", "Gökhan", "Ömer", "Şükrü", "João", "Gonçalo",
    "Conceição", "Leonor", "Iñigo", "Begoña", "Inés", "Ramón", "Andrés", "Martín", "Mateo", "Ximena", "Diego",
    "Alejandro", "Mariana", "Marisol", "Marie", "Mario", "Marcus", "Kwame", "Amara", "Tendai", "Thandiwe",
    "Oluwaseun", "Adébáyọ̀", "Phương", "Đức", "Quỳnh", "Jing", "Haruto", "Khalid", "Rohan", "Deepika", "Taylor",
    "Morgan", "Riley", "Avery", "Noah", "Liam", "Mia", "Isabella", "Ethan", "Harper", "Elijah", "Aria", "Logan",
    "Evelyn", "Brianna", "Tyler", "Kayla", "Justin", "Samantha", "Nicholas", "Rachel", "Brandon", "Madison",
    "Jacob", "Abigail", "Anneliese", "Greta", "Lukas", "Mary Ann", "Jean-Luc", "Anne-Marie", "Sky", "Robin",
)  # fmt: skip

SURNAMES = (
    "Smith", "García", "Johnson", "Rodríguez", "Williams", "Martínez", "Brown", "Hernández", "Nguyễn", "Jones",
    "López", "Miller", "González", "Davis", "Pérez", "Wilson", "Sánchez", "Anderson", "Ramírez", "Taylor", "Trần",
    "Thomas", "Torres", "Moore", "Flores", "Jackson", "Rivera", "Martin", "Gómez", "Lee", "Díaz", "Thompson", "Lê",
    "White", "Reyes", "Harris", "Morales", "Clark", "Jiménez", "Lewis", "Álvarez", "Robinson", "Gutiérrez", "Kim",
    "Walker", "Muñoz", "Patel", "Young", "Castillo", "Allen", "Phạm", "King", "Núñez", "Wright", "Ibáñez", "Scott",
    "Peña", "Hill", "Green", "Singh", "Adams", "Baker", "Chen", "Nelson", "Wang", "Carter", "Li", "Mitchell",
    "Zhang", "Roberts", "Liu", "Turner", "Park", "Phillips", "Hoàng", "Campbell", "Huỳnh", "Parker", "Evans",
    "Edwards", "Collins", "Stewart", "Morris", "Murphy", "O'Brien", "O'Connor", "O'Neill", "McCarthy", "Fitzgerald",
    "Ó Súilleabháin", "MacCárthaigh", "Ní Bhriain", "Cook", "Rogers", "Reed", "Bell", "Bailey", "Cooper",
    "Richardson", "Cox", "Howard", "Ward", "Peterson", "Gray", "Watson", "Brooks", "Price", "Bennett", "Wood",
    "Rivers", "Jordan", "Washington", "Müller", "Schröder", "Weiß", "Köhler", "Groß", "Lefèvre", "Béranger",
    "Dubois", "Fournier", "Mercier", "Bélanger", "Côté", "Gagné", "Søndergaard", "Bjørnstad", "Østergaard",
    "Ångström", "Wiśniewski", "Kowalczyk", "Wójcik", "Łukaszewicz", "Zieliński", "Dąbrowski", "Dvořák", "Novák",
    "Svoboda", "Yılmaz", "Öztürk", "Çelik", "Şahin", "Doğan", "Gonçalves", "Magalhães", "Araújo", "Okafor",
    "Adeyemi", "Okonkwo", "Adébáyọ̀", "Mensah", "Haddad", "Al-Farsi", "El-Amin", "Khoury", "Nasser", "Sharma",
    "Kumar", "Gupta", "Reddy", "Iyer", "Tanaka", "Suzuki", "Satō", "Watanabe", "Choi", "Võ", "Đặng", "Bùi", "Đỗ",
    "Kowalski", "Cohen", "Levi", "Rossi", "Bianchi", "Esposito", "Papadopoulos", "Ivanov", "Petrović", "Horváth",
)  # fmt: skip
