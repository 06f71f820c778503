"""Errors of the wage rules; each carries the name of the offending field when there is one."""

from __future__ import annotations


class InvalidScheme(ValueError):
    """Wage scheme parameters that make no sense (negative rate, unknown kind, ...)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class InvalidWorkRecord(ValueError):
    """A work record that can never be paid under its scheme (fix the record, do not retry)."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class UnknownProduct(InvalidWorkRecord):
    """The product has no rate in the piece scheme: invalid input, not zero pay."""

    def __init__(self, product: str) -> None:
        super().__init__(f"product {product!r} has no rate in this piece scheme", field="product")
        self.product = product

    def __reduce__(self):
        return (type(self), (self.product,))


class UnknownGrade(InvalidWorkRecord):
    """The grade is not one of the piece scheme's grades."""

    def __init__(self, grade: str) -> None:
        super().__init__(f"grade {grade!r} is not a grade of this piece scheme", field="grade")
        self.grade = grade

    def __reduce__(self):
        return (type(self), (self.grade,))


class MissingMinutes(InvalidWorkRecord):
    """An hourly 'present' day came with neither minutes nor check-in/check-out times."""

    def __init__(self, message: str = "an hourly 'present' day needs minutes or check_in/check_out") -> None:
        super().__init__(message, field="minutes")
