from django.contrib.auth import views as auth_views
from django.urls import path

from kinship.accounts import two_factor_views, views

app_name = "accounts"
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("verify/sent/", views.verify_sent, name="verify-sent"),
    path("verify/<str:token>/", views.verify, name="verify"),
    path("login/", views.signin, name="login"),
    path("login/code/", two_factor_views.login_code, name="login-code"),
    path("logout/", views.signout, name="logout"),
    path("password-reset/", views.PasswordResetView.as_view(), name="password-reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password-reset-done",
    ),
    path("password-reset/<uidb64>/<token>/", views.PasswordResetConfirmView.as_view(), name="password-reset-confirm"),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password-reset-complete",
    ),
    path("profile/", views.profile_edit, name="profile-edit"),
    path("password/", views.PasswordChangeView.as_view(), name="password-change"),
    path("email/", views.email_change, name="email-change"),
    path("sessions/", views.session_list, name="sessions"),
    path("sessions/end/", views.session_end, name="session-end"),
    path("two-factor/", two_factor_views.two_factor_home, name="two-factor"),
    path("two-factor/start/", two_factor_views.two_factor_start, name="two-factor-start"),
    path("two-factor/setup/", two_factor_views.two_factor_setup, name="two-factor-setup"),
    path("two-factor/recovery-codes/", two_factor_views.two_factor_codes, name="two-factor-codes"),
    path("two-factor/recovery-codes/new/", two_factor_views.two_factor_renew, name="two-factor-renew"),
    path("two-factor/off/", two_factor_views.two_factor_disable, name="two-factor-off"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email-confirm"),
    path("people/<id:user_id>/", views.profile, name="profile"),
]
