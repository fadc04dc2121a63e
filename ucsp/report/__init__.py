"""Reports of a conformance run: exchange timelines, HTML report, evidence pack."""
