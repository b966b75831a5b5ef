class IdConverter:
    """A database id: positive and within 64 bits, so an absurd number is a 404, not a crash."""

    regex = "[1-9][0-9]{0,18}"

    def to_python(self, value: str) -> int:
        number = int(value)
        if number >= 2**63:
            raise ValueError("out of range")
        return number

    def to_url(self, value: int) -> str:
        return str(value)
