"""The checks: experiments that hold the maths against the laboratory, each a function from parameters and a seed to a result."""
