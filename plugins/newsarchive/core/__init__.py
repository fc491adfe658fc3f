"""The pipeline stages as plain functions over plain data; nothing here imports Pelican."""
