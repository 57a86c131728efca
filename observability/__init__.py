"""What a process tells about itself: metrics (docs/observability.md)."""
