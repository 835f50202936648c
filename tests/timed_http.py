"""What the Python test scripts under tests/ share: one HTTP request on a connection of its
own, timed from sending to the last byte of the answer."""
import http.client
import time


def call(host, port, method, path, body=None, headers=None, timeout=60):
    """Returns (status, body bytes, milliseconds)."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        start = time.perf_counter()
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        data = response.read()
        return response.status, data, (time.perf_counter() - start) * 1000
    finally:
        conn.close()
