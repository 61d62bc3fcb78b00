"""Settings from ``QUIZZER_*`` environment variables, read once by the app factory or CLI."""
from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path

from quizzer import bundled
from quizzer.importers.archive import MAX_EXPANDED_MB, MAX_FILE_MB, Limits
from quizzer.logs import LEVELS
from quizzer.private_files import private_dir


class ConfigError(ValueError):
    """A QUIZZER_* variable has a value that cannot be used."""


@dataclass(frozen=True)
class Settings:
    instance_dir: Path
    database_url: str
    secret_key: str
    decks_dir: Path
    backup_dir: Path
    allow_signup: bool = True
    max_upload_mb: int = MAX_FILE_MB
    max_expanded_mb: int = MAX_EXPANDED_MB
    run_jobs: bool = True
    backup_keep: int = 7
    deck_sync_minutes: int = 5
    backup_hour: int = 3
    rollover_check_minutes: int = 15
    leech_lapses: int = 8
    host: str = "127.0.0.1"
    port: int = 5000
    log_level: str = "INFO"
    trusted_proxies: int = 0
    remember_days: int = 30

    @property
    def import_limits(self) -> Limits:
        """What an imported file may weigh, and expand to once unzipped."""
        return Limits(max_total=self.max_expanded_mb << 20, max_file=self.max_upload_mb << 20)


def _flag(env, name: str, default: bool) -> bool:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    if raw.lower() in ("1", "true", "yes", "on"):
        return True
    if raw.lower() in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"{name}={raw!r}: expected 1/0, true/false, yes/no or on/off")


def _int(env, name: str, default: int, low: int = 0) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r}: expected a whole number") from None
    if value < low:
        raise ConfigError(f"{name}={raw!r}: must be at least {low}")
    return value


def _secret_key(instance_dir: Path, env) -> str:
    """QUIZZER_SECRET_KEY, else a key generated once into the instance folder.

    Processes starting together must agree on one key: each writes a complete
    temporary file and links it into place; the losers read the winner's key."""
    if env.get("QUIZZER_SECRET_KEY"):
        return env["QUIZZER_SECRET_KEY"]
    path = instance_dir / "secret_key"
    if not path.exists():
        private_dir(instance_dir)
        fd, temporary = tempfile.mkstemp(dir=instance_dir, prefix=".secret_key.")
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def _log_level(env) -> str:
    raw = (env.get("QUIZZER_LOG_LEVEL") or "INFO").upper()
    if raw not in LEVELS:
        raise ConfigError(f"QUIZZER_LOG_LEVEL={raw!r}: expected one of {', '.join(LEVELS)}")
    return raw


def load_settings(env=None) -> Settings:
    """Build Settings from the environment; raises ConfigError naming the bad variable."""
    env = os.environ if env is None else env
    instance_dir = Path(env.get("QUIZZER_INSTANCE_DIR") or "instance").resolve()  # the working directory's
    database_url = env.get("QUIZZER_DATABASE_URL") or f"sqlite:///{instance_dir / 'quizzer.db'}"
    backup_dir = env.get("QUIZZER_BACKUP_DIR")
    return Settings(
        instance_dir=instance_dir,
        database_url=database_url,
        secret_key=_secret_key(instance_dir, env),
        decks_dir=Path(env.get("QUIZZER_DECKS_DIR") or bundled.decks_dir()).resolve(),
        allow_signup=_flag(env, "QUIZZER_ALLOW_SIGNUP", True),
        max_upload_mb=_int(env, "QUIZZER_MAX_UPLOAD_MB", MAX_FILE_MB, low=1),
        max_expanded_mb=_int(env, "QUIZZER_MAX_EXPANDED_MB", MAX_EXPANDED_MB, low=1),
        run_jobs=_flag(env, "QUIZZER_JOBS", True),
        backup_dir=Path(backup_dir).resolve() if backup_dir else instance_dir / "backups",
        backup_keep=_int(env, "QUIZZER_BACKUP_KEEP", 7, low=1),
        deck_sync_minutes=_int(env, "QUIZZER_DECK_SYNC_MINUTES", 5, low=1),
        backup_hour=_int(env, "QUIZZER_BACKUP_HOUR", 3, low=0),
        rollover_check_minutes=_int(env, "QUIZZER_ROLLOVER_CHECK_MINUTES", 15, low=1),
        leech_lapses=_int(env, "QUIZZER_LEECH_LAPSES", 8, low=1),
        host=env.get("QUIZZER_HOST") or "127.0.0.1",
        port=_int(env, "QUIZZER_PORT", 5000, low=1),
        log_level=_log_level(env),
        trusted_proxies=_int(env, "QUIZZER_TRUSTED_PROXIES", 0, low=0),
        remember_days=_int(env, "QUIZZER_REMEMBER_DAYS", 30, low=1),
    )
