"""The redaction list: deployment secrets for life, users' secrets bounded and discardable."""

from __future__ import annotations

from bot.logging_setup import REDACTED, SecretRegistry


def test_users_secrets_are_bounded_oldest_first_and_settings_stay() -> None:
    registry = SecretRegistry(max_user_secrets=100)
    registry.add("deployment-bot-token")
    for number in range(10_000):
        registry.add_user_secret(f"user-key-{number:06d}")
    assert len(registry) == 101
    assert "deployment-bot-token" in registry
    assert "user-key-009999" in registry
    assert "user-key-000000" not in registry
    assert registry.redact("a deployment-bot-token b") == f"a {REDACTED} b"


def test_a_registered_again_secret_counts_as_new() -> None:
    registry = SecretRegistry(max_user_secrets=2)
    registry.add_user_secret("first-secret")
    registry.add_user_secret("second-secret")
    registry.add_user_secret("first-secret")
    registry.add_user_secret("third-secret")
    assert "first-secret" in registry
    assert "second-secret" not in registry


def test_a_discarded_secret_is_no_longer_masked() -> None:
    registry = SecretRegistry()
    registry.add_user_secret("Traceback", "secret-token-42")
    assert registry.redact("Traceback: secret-token-42") == f"{REDACTED}: {REDACTED}"
    registry.discard("Traceback", None)
    assert registry.redact("Traceback: secret-token-42") == f"Traceback: {REDACTED}"


def test_longest_secret_wins_and_special_characters_are_literal() -> None:
    registry = SecretRegistry()
    registry.add_user_secret("abc.def", "abc.def.ghi")
    assert registry.redact("x abc.def.ghi y abcXdef") == f"x {REDACTED} y abcXdef"
