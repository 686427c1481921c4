"""Rules for a new password: length (NIST SP 800-63B), not a commonly used password, not the email or name.

No composition rules: they make passwords harder to remember without making them harder to guess.

``common-passwords.txt.gz`` (19,640 passwords, one a line) is Django's
``django/contrib/auth/common-passwords.txt.gz``, taken unchanged from the Django 5.2.19 wheel. Django
built it from Royce Williams's list of the 20,000 most common passwords
(https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce). It is used under Django's
licence, reproduced here as that licence requires:

    Copyright (c) Django Software Foundation and individual contributors.
    All rights reserved.

    Redistribution and use in source and binary forms, with or without modification,
    are permitted provided that the following conditions are met:

        1. Redistributions of source code must retain the above copyright notice,
           this list of conditions and the following disclaimer.

        2. Redistributions in binary form must reproduce the above copyright
           notice, this list of conditions and the following disclaimer in the
           documentation and/or other materials provided with the distribution.

        3. Neither the name of Django nor the names of its contributors may be used
           to endorse or promote products derived from this software without
           specific prior written permission.

    THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND
    ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED
    WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE
    DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT OWNER OR CONTRIBUTORS BE LIABLE FOR
    ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES
    (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES;
    LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON
    ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT
    (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS
    SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
"""
from __future__ import annotations

import gzip
from functools import cache
from pathlib import Path

from policyhub.errors import N_
from policyhub.validation import Checker

PASSWORD_MIN = 12
PASSWORD_MAX = 1024
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common-passwords.txt.gz")


@cache
def common_passwords() -> frozenset[str]:
    """The list, lower-cased: read on first use (about 0.1 s and 1.6 MB here), then kept for the process."""
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


def _folded(text: str) -> str:
    return text.strip().casefold()


def check_new_password(checker: Checker, name: str, password: object, *, email: str = "",
                       user_name: str = "") -> str:
    """The password if it may be used, else '' with the reason recorded on ``checker`` under ``name``."""
    if not isinstance(password, str) or len(password) < PASSWORD_MIN:
        checker.fail(name, N_("Use at least %(count)s characters.", count=PASSWORD_MIN))
        return ""
    if len(password) > PASSWORD_MAX:
        checker.fail(name, N_("Use at most %(count)s characters.", count=PASSWORD_MAX))
        return ""
    folded = _folded(password)
    if folded in {_folded(email), _folded(user_name)} - {""}:
        checker.fail(name, N_("Your password must not be your email address or your name."))
        return ""
    if password.strip().lower() in common_passwords():
        checker.fail(name, N_("That password is on a list of commonly used passwords. Choose another: "
                              "a few unrelated words work well."))
        return ""
    return password
