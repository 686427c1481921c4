"""The decision rule form. It carries values; ``consensus.set_rule`` holds the rule (which kinds, which k)
and its field errors come back onto the fields through ``Form.apply``."""
from __future__ import annotations

from wtforms import RadioField, SelectChoice, StringField

from policyhub.endorsements.consensus import Rule
from policyhub.forms import Form


class RuleForm(Form):
    kind = RadioField("Decision rule", validate_choice=False, choices=[
        SelectChoice("all", "Every party endorses (the default)"),
        SelectChoice("k_of_n", "At least k parties endorse, and no party objects"),
    ])
    k = StringField("k: how many parties must endorse",
                    description="Only for \"at least k parties\": a whole number from 1 to the number of parties.")

    @classmethod
    def for_rule(cls, rule: Rule) -> "RuleForm":
        """The form showing ``rule`` (nothing read from the request)."""
        return cls(formdata=None, data={"kind": rule.kind, "k": str(rule.k) if rule.k else ""})
