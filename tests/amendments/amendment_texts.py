"""Texts shared by the amendment tests."""

BODY = ("# Plan\n\nFirst paragraph about votes.\n\nSecond paragraph about seats.\n\n"
        "Third paragraph about money.\n")
MORE_VOTES = BODY.replace("about votes", "about fair votes")
