"""Parse a Prometheus text exposition with the Prometheus project's own Python parser and print
what it read as JSON, for wsprobe's C++ tests: exit 0 and the families on stdout, or exit 1 and
the parser's complaint on stderr.

    python3 parse_prometheus.py FILE
    {"families": [{"name": ..., "type": ..., "help": ..., "samples": [
        {"name": ..., "labels": {...}, "value": ..., "timestamp": null}]}]}
"""
import json
import sys

from prometheus_client.parser import text_string_to_metric_families


def main():
    with open(sys.argv[1], encoding="utf-8") as source:
        text = source.read()
    try:
        families = [
            {
                "name": family.name,
                "type": family.type,
                "help": family.documentation,
                "samples": [
                    {
                        "name": sample.name,
                        "labels": sample.labels,
                        "value": sample.value,
                        "timestamp": sample.timestamp,
                    }
                    for sample in family.samples
                ],
            }
            # The parser yields lazily: a bad line raises while iterating.
            for family in text_string_to_metric_families(text)
        ]
    except Exception as error:  # the parser raises ValueError, and others on some malformed input
        print(f"parse error: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    json.dump({"families": families}, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
