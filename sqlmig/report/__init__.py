"""Renderers: the only place that formats results for people or machines."""
