"""Where documents come from: listing a folder or bucket, each document's identity and listing
fingerprint, reading and checking its bytes, splitting it into pages, and the documents an
asset event names. The operators, triggers and example DAGs all take their inputs through here."""
