# shellcheck shell=bash
# Sourced by setup.sh, run.sh and test.sh (running it alone does nothing): which Python igo uses,
# and where GNU Go lives.
#
# The interpreter, first match wins:
#   IGO_PYTHON=/path/to/python   that interpreter (an absolute path or a command name; its
#                                environment must accept pip installs);
#   $VIRTUAL_ENV                 the virtual environment you are in (source .../bin/activate);
#   otherwise                    the checkout's own .venv, which setup.sh creates.

# Debian installs GNU Go in /usr/games, which is not on root's PATH.
case ":$PATH:" in *:/usr/games:*) ;; *) export PATH="$PATH:/usr/games" ;; esac

# The absolute path of the Python that igo is installed into and run with.
igo_python() {
  if [ -n "${IGO_PYTHON:-}" ]; then
    command -v "$IGO_PYTHON" || {
      echo "igo: IGO_PYTHON=$IGO_PYTHON is not a program" >&2
      return 1
    }
  elif [ -n "${VIRTUAL_ENV:-}" ]; then
    echo "$VIRTUAL_ENV/bin/python"
  else
    echo "$PWD/.venv/bin/python"
  fi
}

# Where pip puts that Python's console scripts (ruff, lint-imports, igo).
igo_scripts_dir() {
  "$(igo_python)" -c 'import sysconfig; print(sysconfig.get_path("scripts"))'
}
