class ConflictError(Exception):
    """Someone else saved the record since this edit started; the edit was not applied."""

    def __init__(
        self,
        message: str = "Someone else changed this record while you were editing it. "
        "Your changes were not saved; reload to see the latest version and try again.",
    ) -> None:
        super().__init__(message)
        self.message = message
