"""A slice of the GitHub REST API (FastAPI), as its pages and headers are: a repository's issues as JSON arrays, a
page at a time, the next page named by the `Link` header; every request must carry GitHub's media type and API
version headers. Rate-limit headers come with every answer.

Usage: python github.py  → prints its port, then one JSON line per request received:
  {"method", "path", "query", "content_type", "headers", "body"}

Routes:
  GET /repos/{owner}/{repo}/issues?per_page=N&page=P   issues 1..ISSUES (ISSUES = 7), newest first; state=open|all;
                                                       labels=bug,… those with every label (odd ones are bugs)
  GET /repos/{owner}/{repo}                            the repository
  GET /repos/{owner}/{repo}/pages                      its GitHub Pages site
The process exits when its stdin closes.
"""
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from loopback import recorded, serve

ISSUES = 7
app = FastAPI()


def refused(request: Request):
    """GitHub's own answer to a request without its media type or API version, or None when both are there."""
    if request.headers.get("accept") != "application/vnd.github+json":
        return JSONResponse({"message": "Unsupported 'Accept' header", "documentation_url": "https://docs.github.com/rest"},
                            status_code=415)
    if request.headers.get("x-github-api-version") != "2022-11-28":
        return JSONResponse({"message": "Invalid API version"}, status_code=400)
    return None


def rate_limited(content, headers=None):
    return JSONResponse(content, headers={
        "X-RateLimit-Limit": "5000", "X-RateLimit-Remaining": "4999", "X-RateLimit-Used": "1", **(headers or {})})


@app.get("/repos/{owner}/{repo}/issues")
async def issues(request: Request, owner: str, repo: str, per_page: int = 30, page: int = 1, state: str = "open",
                 labels: str = ""):
    if (answer := refused(request)) is not None:
        return answer
    numbers = list(range(ISSUES, 0, -1))
    if state == "open":
        numbers = [n for n in numbers if n % 3 != 0]
    # GitHub's labels filter: a comma-separated list, every label required. Odd issues are bugs.
    wanted = [label for label in labels.split(",") if label]
    numbers = [n for n in numbers if all(label == "bug" and n % 2 for label in wanted)]
    start = (page - 1) * per_page
    chunk = numbers[start:start + per_page]
    base = str(request.base_url).rstrip("/") + request.url.path
    links = []
    last = max(1, -(-len(numbers) // per_page))
    if page < last:
        links.append(f'<{base}?per_page={per_page}&page={page + 1}&state={state}>; rel="next"')
        links.append(f'<{base}?per_page={per_page}&page={last}&state={state}>; rel="last"')
    if page > 1:
        links.append(f'<{base}?per_page={per_page}&page={page - 1}&state={state}>; rel="prev"')
    body = [{"number": n, "title": f"Issue {n}", "state": "closed" if n % 3 == 0 else "open",
             "user": {"login": "octocat", "id": 1}, "labels": [{"name": "bug"}] if n % 2 else []} for n in chunk]
    return rate_limited(body, {"Link": ", ".join(links)} if links else None)


@app.get("/repos/{owner}/{repo}")
async def repository(request: Request, owner: str, repo: str):
    if (answer := refused(request)) is not None:
        return answer
    return rate_limited({"id": 1296269, "name": repo, "full_name": f"{owner}/{repo}", "open_issues_count": ISSUES})


@app.get("/repos/{owner}/{repo}/pages")
async def pages(request: Request, owner: str, repo: str):
    if (answer := refused(request)) is not None:
        return answer
    return rate_limited({"url": f"https://api.github.com/repos/{owner}/{repo}/pages", "status": "built",
                         "html_url": f"https://{owner}.github.io/{repo}/", "source": {"branch": "main", "path": "/docs"}})


if __name__ == "__main__":
    serve(recorded(app))
