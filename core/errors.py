class ConflictError(Exception):
    """Someone else saved the record since this edit started; the edit was not applied.

    The message names the record (``noun``) and what the other person did (``verb``). Where the record keeps a
    history of its versions (tickets do), ``changes`` lists, one sentence each, what changed since the edit began,
    and the message introduces that list instead of asking for a reload.
    """

    def __init__(self, noun: str = "record", *, verb: str = "changed", changes: list[str] | None = None) -> None:
        if changes is None:
            message = (
                f"Someone else {verb} this {noun} while you were editing. Your changes were not saved; "
                "reload to see theirs, then make yours again."
            )
        else:
            message = (
                f"Someone else {verb} this {noun} while you were editing it, so your changes were not saved. "
                "Here is what changed; the form now shows the latest version, so make your changes again."
            )
        super().__init__(message)
        self.message = message
        self.changes = changes or []
