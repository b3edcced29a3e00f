#!/usr/bin/env bash
# Wait until a Rollout is either held at its open-ended canary pause (`held`) or fully
# promoted (`healthy`). An aborted analysis turns the Rollout Degraded, which fails at once.
# Usage: wait-for-rollout.sh NAMESPACE ROLLOUT held|healthy [TIMEOUT_SECONDS]
set -euo pipefail

namespace=$1
rollout=$2
goal=$3
timeout=${4:-1200}
deadline=$((SECONDS + timeout))

while ((SECONDS < deadline)); do
  state=$(kubectl get rollout "$rollout" -n "$namespace" -o json | jq -r '
    (.status.currentStepIndex // 0) as $i
    | (.spec.strategy.canary.steps // [])[$i] as $step
    | [
        (if (.status.observedGeneration | tostring) == (.metadata.generation | tostring) then "current" else "stale" end),
        (.status.phase // "Unknown"),
        (if $step.pause != null and $step.pause.duration == null then "open-pause" else "step" end),
        ($i | tostring),
        (.status.message // "")
      ] | @tsv')
  IFS=$'\t' read -r freshness phase step index message <<<"$state"
  echo "phase=$phase step=$index ($step) $message"
  if [[ $freshness == current ]]; then
    if [[ $phase == Degraded ]]; then
      echo "::error::rollout $namespace/$rollout is Degraded: $message"
      exit 1
    fi
    if [[ $goal == held && $phase == Paused && $step == open-pause ]]; then
      exit 0
    fi
    if [[ $goal == healthy && $phase == Healthy ]]; then
      exit 0
    fi
  fi
  sleep 15
done
echo "::error::rollout $namespace/$rollout did not become $goal within ${timeout}s"
exit 1
