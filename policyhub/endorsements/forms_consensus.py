"""The decision rule form. It carries values; ``consensus.set_rule`` holds the rule (which kinds, which k)
and its field errors come back onto the fields through ``Form.apply``."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectChoice, StringField

from policyhub.endorsements.consensus import Rule
from policyhub.forms import Form


class RuleForm(Form):
    kind = RadioField(_l("Decision rule"), validate_choice=False, choices=[
        SelectChoice("all", _l("Every party endorses (the default)")),
        SelectChoice("k_of_n", _l("At least k parties endorse, and no party objects")),
    ])
    k = StringField(_l("k: how many parties must endorse"),
                    description=_l("Only for \"at least k parties\": a whole number from 1 to the number of parties."))

    @classmethod
    def for_rule(cls, rule: Rule) -> "RuleForm":
        """The form showing ``rule`` (nothing read from the request)."""
        return cls(formdata=None, data={"kind": rule.kind, "k": str(rule.k) if rule.k else ""})
