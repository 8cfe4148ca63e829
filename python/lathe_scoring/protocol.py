"""The framed protocol between the gateway and one worker (stdlib only).

Requests (gateway -> worker) on fd 3: ``>II`` (request id, body length) then the body.
Responses (worker -> gateway) on fd 4: ``>III`` (request id, HTTP status, length) then
the body (JSON). Request id 0 is the worker's readiness report after ``init()``: status
200 when ready, 500 with the error when ``init()`` failed. Keeping the protocol off
stdout/stderr lets the scoring script print freely: its output becomes the deployment log.
"""
import struct

REQUEST_HEADER = struct.Struct(">II")
RESPONSE_HEADER = struct.Struct(">III")


def read_exact(stream, n):
    """``n`` bytes, or None at a clean end of stream."""
    if n == 0:
        return b""
    chunks = []
    remaining = n
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            if remaining == n:
                return None
            raise EOFError("the gateway closed the stream mid-frame")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_request(stream):
    """(request id, body bytes), or None when the gateway is gone."""
    header = read_exact(stream, REQUEST_HEADER.size)
    if header is None:
        return None
    request_id, length = REQUEST_HEADER.unpack(header)
    body = read_exact(stream, length)
    return request_id, body or b""


def write_response(stream, request_id, status, body):
    stream.write(RESPONSE_HEADER.pack(request_id, status, len(body)) + body)
    stream.flush()
