"""Position standards: the rules file (its model, reading and loading) and what a record is worth
against it (compliance, needs, service commitments, training effectiveness). Pure but for the
loading of the rules file."""
