"""Error hierarchy; every error knows the HTTP status the API answers with."""


class ServiceError(Exception):
    """Base of every error the service raises on purpose."""

    status = 500
    code = "internal"

    def __init__(self, message: str, **details: object) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict:
        body = {"error": self.code, "message": self.message}
        if self.details:
            body["details"] = {k: self.details[k] for k in sorted(self.details)}
        return body


class ValidationError(ServiceError):
    status = 400
    code = "invalid"


class CurrencyMismatch(ValidationError):
    code = "currency_mismatch"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


class InsufficientStock(Conflict):
    code = "insufficient_stock"


class PaymentDeclined(ServiceError):
    status = 402
    code = "payment_declined"


class UnbalancedTransaction(ServiceError):
    status = 500
    code = "unbalanced"
