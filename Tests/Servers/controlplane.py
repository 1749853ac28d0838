"""The real LlamaDeploy control plane (llama-deploy 0.6.1 from PyPI, the version seed 001's `Core` client is written
for), unmodified: its simple message queue, its control plane, and the workflow services below, all on 127.0.0.1 in
this one process. It runs with its own Python (Tests/Servers/requirements-control-plane.txt), as 0.6.1 and the
apiserver's 0.9.2 cannot share one.

Usage: python controlplane.py  → once every service is registered, prints the control plane's port, then one JSON
line per request the control plane received: {"method", "path", "query", "content_type", "body"}.
The process exits when its stdin closes.

Services: `echo` answers its `message` argument; `streamer` writes three progress events to the task's stream and
answers "done"; `failing` raises; `hitl` asks for a name (InputRequiredEvent) and answers "hello, NAME" once a
HumanResponseEvent is sent to it.
"""
import asyncio
import logging
import os
import socket
import sys
import threading
import warnings

warnings.filterwarnings("ignore")
logging.disable(logging.CRITICAL)

import httpx  # noqa: E402
from llama_deploy import ControlPlaneConfig, SimpleMessageQueueConfig, WorkflowServiceConfig, deploy_core, deploy_workflow  # noqa: E402
from llama_deploy.control_plane.server import ControlPlaneServer  # noqa: E402
from llama_index.core.workflow import (  # noqa: E402
    Context, Event, HumanResponseEvent, InputRequiredEvent, StartEvent, StopEvent, Workflow, step)

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from loopback import recorded  # noqa: E402


class Echo(Workflow):
    @step
    async def run_step(self, ev: StartEvent) -> StopEvent:
        return StopEvent(result=str(ev.get("message", "")))


class Progress(Event):
    step: int


class Streamer(Workflow):
    @step
    async def run_step(self, ctx: Context, ev: StartEvent) -> StopEvent:
        for number in range(1, 4):
            ctx.write_event_to_stream(Progress(step=number))
            await asyncio.sleep(0.05)
        return StopEvent(result="done")


class Failing(Workflow):
    @step
    async def run_step(self, ev: StartEvent) -> StopEvent:
        raise ValueError("this workflow always fails")


class HumanInTheLoop(Workflow):
    @step
    async def ask(self, ctx: Context, ev: StartEvent) -> InputRequiredEvent:
        return InputRequiredEvent(prefix="What is your name?")  # the workflow writes it to the task's stream

    @step
    async def answer(self, ev: HumanResponseEvent) -> StopEvent:
        return StopEvent(result=f"hello, {ev.response}")


SERVICES = {"echo": Echo, "streamer": Streamer, "failing": Failing, "hitl": HumanInTheLoop}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def wait_until(url, ready, what):
    async with httpx.AsyncClient() as client:
        for _ in range(600):
            try:
                response = await client.get(url)
                if ready(response):
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
    raise SystemExit(f"the control plane's {what} did not come up within 60 s")


async def main():
    # Every request the control plane answers once it is ready is printed: its FastAPI app is wrapped before uvicorn
    # serves it.
    launch = ControlPlaneServer.launch_server
    ready = False

    async def recording_launch(self):
        self.app = recorded(self.app, lambda: ready)
        await launch(self)

    ControlPlaneServer.launch_server = recording_launch

    control_plane = ControlPlaneConfig(host="127.0.0.1", port=free_port())
    queue = SimpleMessageQueueConfig(host="127.0.0.1", port=free_port())
    tasks = [asyncio.create_task(deploy_core(control_plane_config=control_plane, message_queue_config=queue))]
    # deploy_core registers the control plane with the queue 2 s after the control plane answers.
    await wait_until(control_plane.url + "/", lambda r: r.status_code == 200, "home page")
    await asyncio.sleep(2.5)
    for name, workflow in SERVICES.items():
        config = WorkflowServiceConfig(host="127.0.0.1", port=free_port(), service_name=name)
        tasks.append(asyncio.create_task(deploy_workflow(workflow(timeout=60), config, control_plane)))
    await wait_until(control_plane.url + "/services",
                     lambda r: r.status_code == 200 and set(SERVICES) <= set(r.json()), "services")
    await asyncio.sleep(1)  # each service joins the queue a second after it registers
    print(control_plane.port, flush=True)
    ready = True
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    threading.Thread(target=lambda: (sys.stdin.buffer.read(), os._exit(0)), daemon=True).start()
    asyncio.run(main())
