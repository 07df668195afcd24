from notes.drafts.forms import AddendumForm


def addendum_form(uses_mfa: bool, note, data=None) -> AddendumForm:
    return AddendumForm(data, uses_mfa=uses_mfa, initial={"version": note.version})
