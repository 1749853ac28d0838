"""Echoes its `message`, writing a Progress event per step first. No LLM, no network."""
from workflows import Context, Workflow, step
from workflows.events import Event, StartEvent, StopEvent


class Progress(Event):
    msg: str


class EchoWorkflow(Workflow):
    @step
    async def run_step(self, ctx: Context, ev: StartEvent) -> StopEvent:
        for i in range(int(ev.get("steps", 3))):
            ctx.write_event_to_stream(Progress(msg=f"step {i}"))
        return StopEvent(result=f"echo: {ev.get('message', '')}")


workflow = EchoWorkflow(timeout=30)
