"""Hostile HTTP and JSON-RPC input (issue 19): each case gets an answer, none takes the node down.

The cases go over raw sockets, so the bytes on the wire are exactly the hostile ones. Most run
against one devnet in a subprocess (the CLI), shared by the module: a request that crashed it
(200 KB of ``[`` did, with SIGSEGV) then fails its own test and the last one, without taking pytest
down with it. The last test checks that node is still up, answering, and printed no traceback.
The timeout cases shorten the server's deadlines, so they use the in-process ``devnet`` fixture.
"""

from __future__ import annotations

import http.client
import json
import socket
import subprocess
import sys
import time
import timeit
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from devnet import Devnet, server
from devnet.rpc import MAX_BATCH, MAX_BATCH_RESPONSE_BYTES, MAX_ERROR_MESSAGE, MAX_JSON_DEPTH, bracket_depth

ROOT = Path(__file__).resolve().parents[2] / "hardhat-free-devnet"
JSON_TYPES = ["application/json; charset=utf-8", "Application/JSON", "application/json-rpc"]
BLOCK_NUMBER = b'{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}'


@dataclass
class NodeProcess:
    process: subprocess.Popen[str]
    url: str
    stderr: Path


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes
    closed_cleanly: bool | None = None  # for "Connection: close": a FIN after the answer, not a reset

    def json(self) -> Any:
        assert self.headers["Content-Type"] == "application/json"
        return json.loads(self.body)

    def error(self) -> dict[str, Any]:
        error: dict[str, Any] = self.json()["error"]
        return error


@pytest.fixture(scope="module")
def node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[NodeProcess]:
    """The devnet CLI in its own process, for the whole module."""
    data_dir = tmp_path_factory.mktemp("hostile")
    code = f"import sys; sys.path.insert(0, {str(ROOT)!r}); from devnet.cli import main; sys.exit(main())"
    args = ["--data-dir", str(data_dir / "chain"), "--port", "0", "--log-level", "WARNING"]
    stderr = data_dir / "stderr.log"
    with stderr.open("w") as sink:
        process = subprocess.Popen([sys.executable, "-c", code, *args], stdout=subprocess.PIPE, stderr=sink, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    assert line.startswith("devnet listening on "), line
    yield NodeProcess(process, line.split()[3], stderr)
    process.terminate()
    process.wait(30)


def address(url: str) -> tuple[str, int]:
    parsed = urlparse(url)
    assert parsed.hostname is not None and parsed.port is not None
    return parsed.hostname, parsed.port


def exchange(url: str, raw: bytes, timeout: float = 30.0) -> Answer:
    """Send ``raw`` as it is; read one HTTP response."""
    with socket.create_connection(address(url), timeout=timeout) as sock:
        sock.sendall(raw)
        sock.shutdown(socket.SHUT_WR)  # all sent: a server that drains what it refused sees the end
        response = http.client.HTTPResponse(sock)
        response.begin()
        answer = Answer(response.status, response.headers, response.read())
        if answer.headers["Connection"] == "close":
            answer.closed_cleanly = sock.recv(1) == b""
        return answer


def post(url: str, body: bytes, content_type: str | None = "application/json", **headers: str) -> Answer:
    """A POST with ``body`` and a ``Content-Length`` unless ``headers`` frame it otherwise."""
    if "Transfer_Encoding" not in headers:
        headers.setdefault("Content_Length", str(len(body)))
    if content_type is not None:
        headers["Content_Type"] = content_type
    lines = "".join(f"{name.replace('_', '-')}: {value}\r\n" for name, value in headers.items())
    return exchange(url, f"POST / HTTP/1.1\r\nHost: devnet\r\n{lines}\r\n".encode() + body)


def request(method: str, *params: Any, **fields: Any) -> dict[str, Any]:
    return {"jsonrpc": "2.0", "id": 1, "method": method, "params": list(params), **fields}


def answers_block_number(url: str) -> bool:
    answer = post(url, BLOCK_NUMBER)
    return answer.status == 200 and answer.json()["result"].startswith("0x")


def assert_refused(answer: Answer, status: int) -> None:
    """A refusal before JSON-RPC: its HTTP status, a JSON error body, and the connection closed."""
    assert answer.status == status, answer.body
    assert answer.error()["code"] == -32600
    assert answer.headers["Connection"] == "close" and answer.closed_cleanly


# -- nesting (the crash) ------------------------------------------------------------------


def test_deep_nesting_is_refused_before_parsing_and_the_node_lives(node: NodeProcess) -> None:
    """200 KB of ``[`` overflowed the C stack in the JSON parser (SIGSEGV: py-evm lifts the recursion limit)."""
    assert post(node.url, b"[" * 200_000).error()["code"] == -32700  # never closed: not JSON
    closed = post(node.url, b"[" * 100_000 + b"]" * 100_000).error()
    assert closed["code"] == -32600 and f"deeper than {MAX_JSON_DEPTH}" in closed["message"]
    in_a_string = json.dumps(request("eth_blockNumber", "[" * 100_000)).encode()
    assert post(node.url, in_a_string).error()["code"] == -32602  # brackets in a string do not count
    assert node.process.poll() is None and answers_block_number(node.url)


def test_nesting_up_to_the_limit_is_parsed(node: NodeProcess) -> None:
    """Anvil's limit: 127 levels parse (here a -32602 from the method), 128 are an invalid request."""
    nested: Any = 1
    for _ in range(MAX_JSON_DEPTH - 2):  # inside the request object and its params
        nested = [nested]
    answer = post(node.url, json.dumps(request("eth_getBalance", nested, "latest")).encode())
    assert answer.error()["code"] == -32602
    deeper = post(node.url, json.dumps(request("eth_getBalance", [nested], "latest")).encode())
    assert deeper.error()["code"] == -32600


def slow_depth(body: bytes) -> int:
    """The reference for ``bracket_depth``: a byte at a time, with JSON's string and escape rules, up to
    where any parser would stop (other syntax errors are ignored: that only makes it deeper)."""
    depth = deepest = 0
    in_string = escaped = False
    for byte in body:
        if escaped:  # the byte after a backslash in a string
            escaped = False
        elif in_string:
            escaped = byte == ord("\\")
            in_string = byte != ord('"')
        elif byte == ord('"'):
            in_string = True
        elif byte == ord("\\"):  # outside a string: a parser stops here
            break
        elif byte in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        elif byte in b"]}":
            depth -= 1
    return deepest


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet='ab[]{}"\\é\n', max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(alphabet='k[]{"\\', max_size=3), inner, max_size=3)
    ),
    max_leaves=30,
)


@settings(max_examples=400, deadline=None)
@given(JSON_VALUES, st.booleans())
def test_bracket_depth_matches_the_slow_reference_on_json(value: Any, ascii_only: bool) -> None:
    body = json.dumps(value, ensure_ascii=ascii_only).encode()
    assert bracket_depth(body) == slow_depth(body)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=40).map(lambda raw: bytes(b'[]{}"\\ a'[byte % 8] for byte in raw)))
def test_bracket_depth_never_undercounts_what_a_parser_could_reach(body: bytes) -> None:
    """On any bytes: either not JSON (None) or at least the depth a parser could reach in them."""
    depth = bracket_depth(body)
    assert depth is None or depth >= slow_depth(body)


def test_the_depth_scan_costs_little_beside_parsing() -> None:
    """Measured: a 10,000-request batch scans in ~3.5 ms where json.loads takes ~44 ms (loaded CI box)."""
    batch = [request("eth_getBalance", f"0x{n:040x}", "latest", id=n) for n in range(10_000)]
    body = json.dumps(batch).encode()
    assert bracket_depth(body) == 3
    scan = min(timeit.repeat(lambda: bracket_depth(body), number=1, repeat=7))
    parse = min(timeit.repeat(lambda: json.loads(body), number=1, repeat=7))
    assert scan < parse  # a regex over every string token took longer than the parse itself


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_numbers_json_cannot_carry_are_parse_errors(node: NodeProcess, number: str) -> None:
    """Python's parser took them, and the id came back as ``NaN``: the answer was not JSON."""
    body = f'{{"jsonrpc":"2.0","id":{number},"method":"eth_blockNumber","params":[]}}'.encode()
    answer = post(node.url, body)
    assert json.loads(answer.body, parse_constant=pytest.fail)["error"]["code"] == -32700


# -- content types ----------------------------------------------------------------------------


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None, "text/json"])
def test_bodies_not_typed_json_are_refused(node: NodeProcess, content_type: str | None) -> None:
    """Anvil's answer: HTTP 200 with -32600, the method not run. A web page may POST text/plain to
    localhost without a CORS preflight; this is what keeps it from sending transactions."""
    answer = post(node.url, BLOCK_NUMBER, content_type)
    assert answer.status == 200 and "result" not in answer.json()
    assert answer.error() == {"code": -32600, "message": "invalid content type, only application/json is supported"}


@pytest.mark.parametrize("content_type", JSON_TYPES)
def test_json_content_types_are_served(node: NodeProcess, content_type: str) -> None:
    assert post(node.url, BLOCK_NUMBER, content_type).json()["result"].startswith("0x")


# -- framing: Content-Length, chunked, size ----------------------------------------------------


@pytest.mark.parametrize("length", ["abc", "-5", "+63", "6_3", "", "0x3f", "٦٣"])
def test_malformed_content_length_is_a_400(node: NodeProcess, length: str) -> None:
    """It got no answer at all ("abc"), or was read as a number ("+63", "6_3": Python's int())."""
    assert_refused(post(node.url, BLOCK_NUMBER, Content_Length=length), 400)


def test_conflicting_content_lengths_are_a_400(node: NodeProcess) -> None:
    raw = b"POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: 63\r\nContent-Length: 64\r\n\r\n"
    assert_refused(exchange(node.url, raw + BLOCK_NUMBER), 400)


def chunked(body: bytes, size: int) -> bytes:
    """``body`` in chunks of ``size`` bytes (RFC 9112 §7.1), with an extension and a trailer field."""
    pieces = [body[start : start + size] for start in range(0, len(body), size)]
    chunks = b"".join(b"%x;ext=1\r\n%s\r\n" % (len(piece), piece) for piece in pieces)
    return chunks + b"0\r\nX-Trailer: yes\r\n\r\n"


def test_chunked_bodies_are_read(node: NodeProcess) -> None:
    """They got no answer: the body was never read (no Content-Length), the client waited."""
    answer = post(node.url, chunked(BLOCK_NUMBER, 10), Transfer_Encoding="chunked")
    assert answer.status == 200 and answer.json()["result"].startswith("0x")


def test_chunked_bodies_are_bounded(node: NodeProcess) -> None:
    huge = b"%x\r\n" % (server.MAX_BODY_BYTES + 1)  # only the size line is sent
    assert_refused(post(node.url, huge, Transfer_Encoding="chunked"), 413)
    assert_refused(post(node.url, b"zz\r\n", Transfer_Encoding="chunked"), 400)
    assert_refused(post(node.url, b"3\r\nabcdef\r\n0\r\n\r\n", Transfer_Encoding="chunked"), 400)
    assert_refused(post(node.url, BLOCK_NUMBER, Transfer_Encoding="gzip"), 501)
    both = post(node.url, chunked(BLOCK_NUMBER, 10), Transfer_Encoding="chunked", Content_Length="5")
    assert_refused(both, 400)  # RFC 9112 §6.3: the shape of request smuggling


def test_a_body_over_the_limit_is_refused_unread(node: NodeProcess) -> None:
    """64 MB bodies were read and parsed; now 413 as soon as the headers say so, the body never sent."""
    assert_refused(post(node.url, b"", Content_Length=str(server.MAX_BODY_BYTES + 1)), 413)
    assert_refused(post(node.url, b"", Content_Length="9" * 40), 413)
    expect = exchange(node.url, b"POST / HTTP/1.1\r\nContent-Type: application/json\r\n"
                      b"Content-Length: 100000000\r\nExpect: 100-continue\r\n\r\n")  # fmt: skip
    assert_refused(expect, 413)  # not "100 Continue" first (RFC 9110 §10.1.1)


def test_a_client_still_sending_an_oversized_body_reads_its_413(node: NodeProcess) -> None:
    """The 413 goes out after the headers; closing at once, with the body arriving, resets the connection
    and the client's send fails before it reads the answer. The server drains it first (RFC 9112 §9.6)."""
    size = server.MAX_BODY_BYTES + 1_000_000
    head = f"POST / HTTP/1.1\r\nContent-Type: application/json\r\nContent-Length: {size}\r\n\r\n"
    assert_refused(exchange(node.url, head.encode() + b" " * size), 413)


def test_a_body_at_the_limit_is_served(node: NodeProcess) -> None:
    padded = BLOCK_NUMBER + b" " * (server.MAX_BODY_BYTES - len(BLOCK_NUMBER))
    assert post(node.url, padded).json()["result"].startswith("0x")
    balances = [request("eth_getBalance", f"0x{n:040x}", "latest", id=n) for n in range(10_000)]
    assert len(json.dumps(balances)) < server.MAX_BODY_BYTES / 4  # the benchmark's batch fits well


# -- what the dispatcher sends back ----------------------------------------------------------


def test_long_values_are_not_echoed_whole(node: NodeProcess) -> None:
    """A 20 MB parameter came back whole in the error message."""
    for body in (request("eth_getBalance", "x" * 4_000_000, "latest"), request("m" * 4_000_000)):
        answer = post(node.url, json.dumps(body).encode())
        message = answer.error()["message"]
        assert len(message) <= MAX_ERROR_MESSAGE and message.endswith("…")
        assert len(answer.body) < 2 * MAX_ERROR_MESSAGE


@pytest.mark.parametrize("version", [None, "1.0", 2.0, "2"])
def test_requests_without_jsonrpc_2_0_are_invalid(node: NodeProcess, version: Any) -> None:
    """A missing ``jsonrpc`` was accepted; Anvil answers -32600 and echoes the id, so do we."""
    body: dict[str, Any] = {"id": 9, "method": "eth_blockNumber", "params": []}
    if version is not None:
        body["jsonrpc"] = version
    answer = post(node.url, json.dumps([body, request("eth_chainId")]).encode()).json()
    assert answer[0]["id"] == 9 and answer[0]["error"]["code"] == -32600
    assert answer[1]["result"] == hex(1337)


def test_batches_are_bounded_in_count(node: NodeProcess) -> None:
    batch = [request("eth_chainId", id=n) for n in range(MAX_BATCH + 1)]
    error = post(node.url, json.dumps(batch).encode()).error()
    assert error["code"] == -32600 and "batch too large" in error["message"]


def test_batch_responses_are_bounded_in_size(node: NodeProcess) -> None:
    """100 calls reverting with 500 KB each would build a 100 MB answer; past 25 MB the rest are not run."""
    revert_500k = "0x" + "62" + (500_000).to_bytes(3, "big").hex() + "6000fd"  # PUSH3 500000 PUSH1 0 REVERT
    batch = [request("eth_call", {"data": revert_500k}, "latest", id=n) for n in range(100)]
    answer = post(node.url, json.dumps(batch).encode())
    assert len(answer.body) < MAX_BATCH_RESPONSE_BYTES + 2_000_000
    answers = answer.json()
    assert [item["id"] for item in answers] == list(range(100))
    run = [item for item in answers if item["error"]["code"] == 3]
    sizes = [len(json.dumps(item, separators=(",", ":"))) + 1 for item in run]
    assert sum(sizes) - sizes[-1] < MAX_BATCH_RESPONSE_BYTES <= sum(sizes)  # run until the limit was reached
    assert all(item["error"] == {"code": -32005, "message": "response too large"} for item in answers[len(run) :])


# -- refusals from the HTTP layer --------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        (b"GET / HTTP/1.1\r\n\r\n", 405),
        (b"DELETE / HTTP/1.1\r\n\r\n", 501),
        (b"POST / HTTP/1.1 extra\r\n\r\n", 400),
        (b"POST /" + b"a" * 65_531, 414),  # a request line of 65,537 bytes, all the stdlib reads
        (b"POST / HTTP/1.1\r\nX: " + b"a" * 65_534, 431),  # a header line of 65,537 bytes
    ],
    ids=["GET", "DELETE", "bad-request-line", "long-request-line", "long-header"],
)
def test_http_refusals_are_json_and_close(node: NodeProcess, raw: bytes, status: int) -> None:
    """The stdlib answered these with an HTML page."""
    assert_refused(exchange(node.url, raw), status)


def test_stalled_connections_do_not_slow_new_clients(node: NodeProcess) -> None:
    """300 connections opened at once overflowed the stdlib's listen backlog of 5: the kernel dropped
    SYNs and the next client waited for its 1 s retransmission. With the backlog raised alone, it still
    waited ~0.35 s behind 300 accepts, each starting a thread."""
    stalled = []
    try:
        for _ in range(300):
            sock = socket.socket()
            sock.setblocking(False)
            sock.connect_ex(address(node.url))
            stalled.append(sock)
        started = time.perf_counter()
        assert answers_block_number(node.url)
        assert time.perf_counter() - started < 0.3
    finally:
        for sock in stalled:
            sock.close()


# -- deadlines (in-process: they are shortened) ------------------------------------------------


@pytest.fixture
def short_deadlines(monkeypatch: pytest.MonkeyPatch) -> float:
    monkeypatch.setattr(server, "HEADER_TIMEOUT_SECONDS", 0.5, raising=False)
    return 0.5


def closed_within(sock: socket.socket, seconds: float) -> bool:
    """Whether the server closes ``sock`` (EOF) within ``seconds``."""
    sock.settimeout(seconds)
    try:
        return sock.recv(1) == b""
    except TimeoutError:
        return False
    except ConnectionError:  # closed with our bytes unread: a reset
        return True


def test_a_silent_connection_is_closed_after_the_header_timeout(
    short_deadlines: float, devnet: tuple[Devnet, str]
) -> None:
    """A connection that sends nothing held a thread for the 60 s idle timeout. On Linux the kernel
    hands it over only at its first SYN-ACK retry (1 s: ``TCP_DEFER_ACCEPT``), then the deadline runs."""
    with socket.create_connection(address(devnet[1])) as sock:
        assert closed_within(sock, 1.0 + short_deadlines + 1.0)


def test_headers_sent_a_byte_at_a_time_do_not_extend_the_deadline(
    short_deadlines: float, devnet: tuple[Devnet, str]
) -> None:
    """Slowloris: the deadline is for the whole header, not for each read."""
    with socket.create_connection(address(devnet[1])) as sock:
        sock.sendall(b"POST / HTTP/1.1\r\n")
        assert trickled_until_closed(sock, short_deadlines + 1.0)


def trickled_until_closed(sock: socket.socket, seconds: float) -> bool:
    """Send a byte every 0.1 s; whether the server closes the connection within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            sock.sendall(b"X")
        except ConnectionError:
            return True
        if closed_within(sock, 0.1):
            return True
    return False


def test_keep_alive_connections_may_idle_between_requests(short_deadlines: float, devnet: tuple[Devnet, str]) -> None:
    """The short deadline is for a request's headers; between requests the 60 s idle timeout holds."""
    connection = http.client.HTTPConnection(*address(devnet[1]), timeout=10)
    for _ in range(2):
        connection.request("POST", "/", BLOCK_NUMBER, {"Content-Type": "application/json"})
        assert json.loads(connection.getresponse().read())["result"].startswith("0x")
        time.sleep(short_deadlines * 2)
    connection.close()


# -- last: the shared node survived everything above -----------------------------------------


def test_the_node_is_still_up_after_all_of_them(node: NodeProcess) -> None:
    assert node.process.poll() is None
    assert answers_block_number(node.url)
    assert "Traceback" not in node.stderr.read_text()
