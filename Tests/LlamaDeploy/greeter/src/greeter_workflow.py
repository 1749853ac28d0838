"""Greets `name`, reporting each step on the event stream. No LLM, no network."""
from workflows import Context, Workflow, step
from workflows.events import Event, StartEvent, StopEvent


class Step(Event):
    msg: str


class GreeterWorkflow(Workflow):
    @step
    async def greet(self, ctx: Context, ev: StartEvent) -> StopEvent:
        ctx.write_event_to_stream(Step(msg="looking up the name"))
        ctx.write_event_to_stream(Step(msg="writing the greeting"))
        return StopEvent(result=f"Hello, {ev.get('name', 'world')}!")


workflow = GreeterWorkflow(timeout=30)
