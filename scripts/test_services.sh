#!/usr/bin/env bash
# Placeholder replaced below when services are needed.
exit 0
