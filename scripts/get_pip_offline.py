"""Offline stand-in for the pip bootstrap script that ansible-test downloads.

ansible-test bootstraps pip into each sanity virtualenv by running a get-pip script that it
fetches from the internet, unless a copy sits in ~/.ansible/test/cache/. These machines
reach only the package registries, so scripts/sanity.sh installs this file there instead.
It gets pip from the interpreter's own ensurepip, then installs the pinned packages that
ansible-test asks for. ansible-test clears pip's configuration, hence the explicit CA bundle.
"""
import os
import subprocess
import sys

CA_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"
# Flags of the real get-pip script that older pip versions (from ensurepip) reject.
UNSUPPORTED_FLAGS = {"--no-setuptools", "--no-wheel"}


def main() -> None:
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade"])
    args = [arg for arg in sys.argv[1:] if arg not in UNSUPPORTED_FLAGS]
    cert = ["--cert", CA_BUNDLE] if os.path.exists(CA_BUNDLE) else []
    subprocess.check_call([sys.executable, "-m", "pip", "install", *cert, *args])


if __name__ == "__main__":
    main()
