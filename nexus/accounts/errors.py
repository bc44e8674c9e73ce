from nexus.core.errors import Conflict, NotFound, Unauthenticated, ValidationFailed


class RefreshTokenInvalid(Unauthenticated):
    code = "token_not_valid"
    default_message = "The refresh token is invalid, expired or already used."


class LogoutTokenInvalid(ValidationFailed):
    """A refresh token to revoke that is not a valid one of the caller's (400: the
    caller is signed in; the token in the body is what is wrong)."""

    code = "token_not_valid"
    default_message = "The refresh token is invalid or expired."


class EmailAlreadyRegistered(Conflict):
    code = "email_taken"
    default_message = "An account with this email already exists."


class WrongPassword(ValidationFailed):
    code = "wrong_password"
    default_message = "The current password is not correct."


class WeakPassword(ValidationFailed):
    code = "weak_password"
    default_message = "The password is too weak."


class AddressNotFound(NotFound):
    code = "address_not_found"
    default_message = "No such address."


class UserNotFound(NotFound):
    code = "user_not_found"
    default_message = "No such user."


class PasswordResetTokenInvalid(ValidationFailed):
    code = "reset_token_invalid"
    default_message = "This reset link is invalid, used or expired; ask for a new one."
