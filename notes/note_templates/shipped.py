"""The templates every clinic starts with, written for Hearth. ``services.install_shipped`` copies them into a
clinic (version 1 each) the first time its notes are used; the clinic may then copy and change them."""

RISK_LEVELS = ["None identified", "Low", "Moderate", "High", "Imminent"]


def _text(key: str, label: str, required: bool = False, help: str = "", kind: str = "text") -> dict:
    return {"key": key, "label": label, "type": kind, "required": required, "help": help}


def _choice(key: str, label: str, choices: list[str], required: bool = False, multiple: bool = False) -> dict:
    return {
        "key": key,
        "label": label,
        "type": "multiple" if multiple else "choice",
        "choices": choices,
        "required": required,
        "help": "",
    }


PROGRESS_TYPES = ["progress", "crisis", "group"]

SHIPPED = {
    "dap": {
        "name": "DAP progress note",
        "description": "Data, assessment, plan.",
        "note_types": PROGRESS_TYPES,
        "schema": {
            "sections": [
                {
                    "key": "data",
                    "heading": "Data",
                    "help": "What happened in the session: facts, quotes, observations.",
                    "fields": [_text("data", "Session content and observations", True)],
                },
                {
                    "key": "assessment",
                    "heading": "Assessment",
                    "fields": [
                        _text("assessment", "Your clinical impression and progress toward goals", True),
                        {
                            "key": "distress",
                            "label": "Distress today (client's rating)",
                            "type": "scale",
                            "min": 0,
                            "max": 10,
                            "required": False,
                            "help": "0 none, 10 the worst imaginable.",
                        },
                    ],
                },
                {
                    "key": "plan",
                    "heading": "Plan",
                    "fields": [
                        _text("plan", "Next steps, homework and next session", True),
                    ],
                },
            ]
        },
    },
    "soap": {
        "name": "SOAP progress note",
        "description": "Subjective, objective, assessment, plan.",
        "note_types": PROGRESS_TYPES,
        "schema": {
            "sections": [
                {
                    "key": "subjective",
                    "heading": "Subjective",
                    "fields": [
                        _text("subjective", "What the client reports", True, "In the client's words where it helps.")
                    ],
                },
                {
                    "key": "objective",
                    "heading": "Objective",
                    "fields": [
                        _text("objective", "What you observed", True),
                        _choice("affect", "Affect", ["Full", "Constricted", "Flat", "Labile", "Anxious", "Euthymic"]),
                    ],
                },
                {"key": "assessment", "heading": "Assessment", "fields": [_text("assessment", "Assessment", True)]},
                {"key": "plan", "heading": "Plan", "fields": [_text("plan", "Plan", True)]},
            ]
        },
    },
    "birp": {
        "name": "BIRP progress note",
        "description": "Behaviour, intervention, response, plan.",
        "note_types": PROGRESS_TYPES,
        "schema": {
            "sections": [
                {
                    "key": "behavior",
                    "heading": "Behaviour",
                    "fields": [_text("behavior", "Presenting behaviour and concerns", True)],
                },
                {
                    "key": "intervention",
                    "heading": "Intervention",
                    "fields": [
                        _choice(
                            "modalities",
                            "Approaches used",
                            [
                                "CBT",
                                "DBT skills",
                                "Motivational interviewing",
                                "Psychoeducation",
                                "Supportive",
                                "Mindfulness",
                            ],
                            multiple=True,
                        ),
                        _text("intervention", "What you did", True),
                    ],
                },
                {
                    "key": "response",
                    "heading": "Response",
                    "fields": [_text("response", "How the client responded", True)],
                },
                {"key": "plan", "heading": "Plan", "fields": [_text("plan", "Plan", True)]},
            ]
        },
    },
    "diagnostic": {
        "name": "Diagnostic assessment",
        "description": "Intake: history, mental status, risk, diagnosis and recommendations.",
        "note_types": ["intake"],
        "schema": {
            "sections": [
                {
                    "key": "referral",
                    "heading": "Reason for referral",
                    "fields": [
                        _text("presenting_problem", "Presenting problem, in the client's words and yours", True)
                    ],
                },
                {
                    "key": "history",
                    "heading": "History",
                    "fields": [
                        _text("psychiatric_history", "Mental health history and past treatment"),
                        _text("substance_history", "Substance use"),
                        _text("medical_history", "Medical history and medications"),
                        _text("social_history", "Family, relationships, work or school, housing"),
                    ],
                },
                {
                    "key": "mse",
                    "heading": "Mental status exam",
                    "fields": [
                        _choice("appearance", "Appearance", ["Well groomed", "Casual", "Dishevelled", "Unusual"], True),
                        _choice("orientation", "Orientation", ["Oriented x4", "Partly oriented", "Disoriented"], True),
                        _choice(
                            "mood_affect",
                            "Affect",
                            ["Euthymic", "Depressed", "Anxious", "Irritable", "Elevated", "Flat"],
                            True,
                        ),
                        _choice(
                            "thought_process",
                            "Thought process",
                            ["Linear", "Tangential", "Circumstantial", "Disorganised"],
                            True,
                        ),
                        _text("thought_content", "Thought content (preoccupations, delusions, hallucinations)"),
                        _choice("insight", "Insight and judgement", ["Good", "Fair", "Poor"], True),
                    ],
                },
                {
                    "key": "risk",
                    "heading": "Risk assessment",
                    "help": "Ask directly; document what was asked.",
                    "fields": [
                        _choice(
                            "suicidal_ideation",
                            "Suicidal thoughts",
                            ["Denied", "Passive", "Active without plan", "Active with plan"],
                            True,
                        ),
                        _choice(
                            "homicidal_ideation",
                            "Thoughts of harming others",
                            ["Denied", "Present without plan", "Present with plan"],
                            True,
                        ),
                        _choice("risk_level", "Overall risk", RISK_LEVELS, True),
                        _text("safety_plan", "Protective factors and safety plan"),
                    ],
                },
                {
                    "key": "diagnosis",
                    "heading": "Diagnosis",
                    "fields": [_text("diagnosis", "Diagnostic impression (ICD-10-CM codes and reasoning)", True)],
                },
                {
                    "key": "recommendations",
                    "heading": "Recommendations",
                    "fields": [_text("recommendations", "Recommended services, level of care and referrals", True)],
                },
            ]
        },
    },
    "contact": {
        "name": "Contact note",
        "description": "A phone call, message or collateral contact.",
        "note_types": ["contact"],
        "schema": {
            "sections": [
                {
                    "key": "contact",
                    "heading": "Contact",
                    "fields": [
                        _text("with_whom", "With whom (role, not a name when it is a third party)"),
                        _text("summary", "What was discussed and decided", True),
                    ],
                }
            ]
        },
    },
    "discharge": {
        "name": "Discharge summary",
        "description": "Why treatment ended, progress and aftercare.",
        "note_types": ["discharge"],
        "schema": {
            "sections": [
                {
                    "key": "discharge",
                    "heading": "Discharge",
                    "fields": [
                        _choice(
                            "reason",
                            "Reason for discharge",
                            ["Goals met", "Client chose to end", "Referred elsewhere", "Lost contact", "Other"],
                            True,
                        ),
                        _text("course", "Course of treatment and progress", True),
                        _text("aftercare", "Aftercare plan and referrals", True),
                    ],
                }
            ]
        },
    },
    "psychotherapy": {
        "name": "Psychotherapy note",
        "description": "Your private process notes, kept apart from the record.",
        "note_types": ["psychotherapy"],
        "schema": {
            "sections": [
                {
                    "key": "process",
                    "heading": "Process notes",
                    "fields": [
                        _text("process", "Your private notes on the session", True),
                    ],
                }
            ]
        },
    },
}
