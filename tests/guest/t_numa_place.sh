#!/bin/sh
# NUMA placement in a guest of two nodes: topology, every subregion of a
# region or of private pages on its node (huge and gigantic), a node
# short of pages refusing without falling back, a creator killed
# mid-placement, creates beyond a node and beyond the machine
# (tests/guest/numa_place.c).
# shellcheck source=tests/guest/numa_lib.sh
. "${top_srcdir:?}/tests/guest/numa_lib.sh"
numa_guest 2 ./numa_place
