"""Asks for a name through the event stream and waits until a HumanResponseEvent is sent back through the API."""
from workflows import Context, Workflow, step
from workflows.events import HumanResponseEvent, InputRequiredEvent, StartEvent, StopEvent


class HumanInTheLoopWorkflow(Workflow):
    @step
    async def ask(self, ctx: Context, ev: StartEvent) -> InputRequiredEvent:
        return InputRequiredEvent(prefix=ev.get("question", "What is your name?"))

    @step
    async def answer(self, ctx: Context, ev: HumanResponseEvent) -> StopEvent:
        return StopEvent(result=f"hello, {ev.response}")


workflow = HumanInTheLoopWorkflow(timeout=60)
