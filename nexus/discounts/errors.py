from nexus.core.errors import Conflict, ValidationFailed


class VoucherInvalid(ValidationFailed):
    code = "voucher_invalid"
    default_message = "This voucher code is not valid."


class VoucherNotApplicable(ValidationFailed):
    code = "voucher_not_applicable"
    default_message = "This voucher does not apply to this order."


class VoucherUsedUp(Conflict):
    code = "voucher_used_up"
    default_message = "This voucher has been used as often as it may be."
