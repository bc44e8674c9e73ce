from nexus.core.errors import Conflict, NotFound


class OrderNotFound(NotFound):
    code = "order_not_found"
    default_message = "No such order."


class IllegalTransition(Conflict):
    code = "illegal_transition"
    default_message = "The order cannot move to that state from its current one."
