"""Tests of the ADHD FAQ bot."""
