"""What the server gives the front ends (issue 12): the calm demo page and the test-only hostile page."""

from __future__ import annotations

from server import create_app


def test_the_demo_page_is_calm_and_the_hostile_page_is_for_tests_only(client):
    home = client.get("/").get_data(as_text=True)
    assert "/static/demo.css" in home and "hostile" not in home
    assert '<script src="/widget.js" defer' in home
    assert client.get("/test/hostile").status_code == 404  # off by default
    with client.get("/static/demo.css") as response:
        assert "!important" not in response.get_data(as_text=True)

    test_client = create_app({"TESTING": True, "RELOAD_INTERVAL": 0, "TEST_PAGES": True}).test_client()
    hostile = test_client.get("/test/hostile")
    assert hostile.status_code == 200
    page = hostile.get_data(as_text=True)
    assert "/static/hostile.css" in page and '<script src="/widget.js" defer' in page
