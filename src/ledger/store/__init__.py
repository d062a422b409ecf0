"""Where the log lives and how it proves itself: the store's configuration and recorders, the hash
chain, the Merkle tree and signed checkpoints, the integrity walk, proofs and badges, export,
import and backup."""
