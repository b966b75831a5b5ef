import hashlib
import secrets

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **fields: object) -> "User":
        if not email:
            raise ValueError("An email address is required.")
        # Never derive the name from the address: the name is public, the address is not.
        fields.setdefault("display_name", "Kinship staff" if fields.get("is_staff") else "Kinship member")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields.setdefault("is_staff", False)
        fields.setdefault("is_superuser", False)
        return self._create(email, password, **fields)

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> "User":
        fields["is_staff"] = True
        fields["is_superuser"] = True
        fields.setdefault("email_verified_at", timezone.now())
        return self._create(email, password, **fields)

    def get_by_natural_key(self, username: str | None) -> "User":
        return self.get(email__iexact=username or "")


class User(AbstractBaseUser, PermissionsMixin):
    PATIENT = "patient"
    CAREGIVER = "caregiver"
    ROLE_CHOICES = [(PATIENT, "Patient"), (CAREGIVER, "Caregiver")]

    ONLY_ME = "only_me"
    MY_CIRCLES = "circles"
    VISIBILITY_CHOICES = [(ONLY_ME, "Only me"), (MY_CIRCLES, "My circles")]

    SURGERY_CHOICES = [
        ("limb_salvage", "Limb salvage"),
        ("amputation", "Amputation"),
        ("rotationplasty", "Rotationplasty"),
        ("other", "Other"),
    ]

    email = models.EmailField(max_length=254, unique=True)
    display_name = models.CharField(max_length=60)
    role = models.CharField(max_length=12, choices=ROLE_CHOICES, default=PATIENT)
    bio = models.CharField(max_length=500, blank=True)
    avatar = models.ImageField(upload_to="avatars/", blank=True)

    diagnosis = models.CharField(max_length=120, blank=True)
    diagnosis_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)
    surgery_type = models.CharField(max_length=16, choices=SURGERY_CHOICES, blank=True)
    surgery_type_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)
    body_site = models.CharField(max_length=80, blank=True)
    body_site_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)
    surgery_date = models.DateField(null=True, blank=True)
    surgery_date_visibility = models.CharField(max_length=8, choices=VISIBILITY_CHOICES, default=ONLY_ME)

    email_verified_at = models.DateTimeField(null=True, blank=True)
    terms_accepted_at = models.DateTimeField(null=True, blank=True)
    terms_version = models.CharField(max_length=20, blank=True)

    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)
    # Suspended site-wide by staff until this moment (safety.moderation); no sign-in meanwhile.
    suspended_until = models.DateTimeField(null=True, blank=True)
    # The member erased their account: personal data is gone and what stays reads "Former member".
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []  # type: ignore[misc]  # createsuperuser asks only for the email

    RECOVERY_FIELDS = ("diagnosis", "surgery_type", "body_site", "surgery_date")

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.pk])

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def avatar_url(self) -> str | None:
        return self.avatar.url if self.avatar else None


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored, so a database leak yields no usable token."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"token {self.pk} of user {self.user_id}"

    @staticmethod
    def hash(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()

    @classmethod
    def issue(cls, user: User) -> tuple["ApiToken", str]:
        key = secrets.token_urlsafe(32)
        return cls.objects.create(user=user, key_hash=cls.hash(key)), key


class SignInSession(models.Model):
    """One browser signed in to an account, so its owner can see where they are signed in and end it.

    The session itself lives in Django's session store; this row names it for its owner.
    """

    AGENT_MAX = 200

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    user_agent = models.CharField(max_length=AGENT_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"session {self.pk} of user {self.user_id}"


class ConsentRecord(models.Model):
    """Each time a member accepted (or withdrew) the terms or the privacy notice; kept after erasure.

    After an account is erased the row keeps only the former account's id number, never a name
    or address, so the organisation can still show which version was agreed to and when.
    """

    TERMS = "terms"
    PRIVACY = "privacy"
    DOCUMENT_CHOICES = [(TERMS, "Terms of use"), (PRIVACY, "Privacy notice")]
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"
    ACTION_CHOICES = [(ACCEPTED, "Accepted"), (WITHDRAWN, "Withdrawn")]

    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents")
    account_number = models.BigIntegerField()
    document = models.CharField(max_length=10, choices=DOCUMENT_CHOICES)
    version = models.CharField(max_length=20)
    action = models.CharField(max_length=10, choices=ACTION_CHOICES, default=ACCEPTED)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["account_number", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.account_number} {self.action} {self.document} {self.version}"


class TwoFactorDevice(models.Model):
    """A member's authenticator app (TOTP, RFC 6238); confirmed once they typed a first code."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="two_factor")
    secret = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # The last 30-second step a code was accepted for: the same code is never accepted twice.
    last_step = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"two-factor device of {self.user_id}"

    @property
    def is_confirmed(self) -> bool:
        return self.confirmed_at is not None


class RecoveryCode(models.Model):
    """A one-time code for when the authenticator is lost; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="recovery_codes")
    code_hash = models.CharField(max_length=64)
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "code_hash"], name="accounts_recovery_code_once")]

    def __str__(self) -> str:
        return f"recovery code {self.pk} of {self.user_id}"
