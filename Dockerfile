# mbrl on Debian bookworm (CPU LibTorch 1.13 from Debian). Build: docker build -t mbrl .
# Run:   docker run --rm -v "$PWD/runs:/mbrl/runs" mbrl train --config configs/cartpole_swingup.yaml --planner cem
FROM debian:bookworm
WORKDIR /mbrl
COPY scripts/setup.sh scripts/setup.sh
RUN apt-get update && scripts/setup.sh --deps && rm -rf /var/lib/apt/lists/*
COPY . .
RUN scripts/setup.sh
ENTRYPOINT ["/mbrl/build/mbrl"]
