"""The real LlamaDeploy apiserver (llama-deploy 0.9.2 from PyPI), unmodified, started on 127.0.0.1 with the
deployments of Tests/LlamaDeploy (echo and hitl) loaded from its rc folder.

Usage: python llamadeploy.py  → prints its port, then one JSON line per request the apiserver received:
  {"method", "path", "query", "content_type", "body"}   (body as text, cut at 2,000 characters)
The process exits when its stdin closes; its deployments folder is a fresh temporary directory.
"""
import os
import tempfile
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
os.environ.update({
    "LLAMA_DEPLOY_APISERVER_PROMETHEUS_ENABLED": "false",
    "LLAMA_DEPLOY_APISERVER_RC_PATH": os.path.join(HERE, "..", "LlamaDeploy"),
    "LLAMA_DEPLOY_APISERVER_DEPLOYMENTS_PATH": tempfile.mkdtemp(prefix="bindery-llamadeploy-"),
})
warnings.filterwarnings("ignore", category=DeprecationWarning)

from llama_deploy.apiserver.app import app  # noqa: E402  (reads its settings from the environment above)

from loopback import recorded, serve  # noqa: E402


if __name__ == "__main__":
    serve(recorded(app), lifespan="on")
