#!/usr/bin/env bash
# Builds libkeyword.so next to this script against rlrun's plugin headers.
cd "$(dirname "$0")" && exec cc -shared -fPIC -O2 -Wall -Wextra -I ../../Sources/Core/ABI/include -o libkeyword.so keyword_reward.c
