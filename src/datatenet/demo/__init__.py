"""`datatenet demo`: a throwaway repository playing the story of a support dataset."""
