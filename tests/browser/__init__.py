"""Tests of the widget and the kiosk in a real browser (Chromium driven by Playwright)."""
