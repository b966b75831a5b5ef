"""Shapes of the two-step sign-in endpoints (/me/two-factor)."""

from pydantic import BaseModel, Field, StrictStr

from kinship.api.schemas import Input


class TwoFactorStartOut(BaseModel):
    secret: str = Field(description="The TOTP secret (base32), for typing into an authenticator app.")
    otpauth_uri: str = Field(description="The same as an otpauth:// URI, for a QR code.")


class TwoFactorConfirmIn(Input):
    otp: StrictStr = Field(description="The 6-digit code the authenticator app shows now.")


class TwoFactorConfirmOut(BaseModel):
    recovery_codes: list[str] = Field(description="Ten one-time codes for a lost phone. Shown only this once.")


class TwoFactorDisableIn(Input):
    password: StrictStr
    otp: StrictStr = Field(description="A current code from the authenticator app, or a recovery code.")


class OtpRequiredOut(BaseModel):
    """The problem document of a sign-in that needs its two-step code (sent as application/problem+json)."""

    type: str
    title: str
    status: int
    detail: str
    otp_required: bool = Field(description="Always true: ask for the authenticator code and send it as otp.")
