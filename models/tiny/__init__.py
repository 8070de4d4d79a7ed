"""The miniature LLM2CLIP: synthetic scenes, a small BPE, the paper's training stages at toy scale, evaluation and shipping."""
