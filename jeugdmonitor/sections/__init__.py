"""Report sections as data: each module builds one `Section` for a region (see `base`)."""

from jeugdmonitor.sections.base import Figure, Section

__all__ = ["Figure", "Section"]
