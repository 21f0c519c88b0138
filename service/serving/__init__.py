"""Model handles and the model repository: what the application services call to
use a model (load state, health, self-healing, generation through batching)."""

from service.serving.handle import HandleStatus, LoadState, ModelHandle
from service.serving.repository import ModelRepository, ModelRow

__all__ = ["HandleStatus", "LoadState", "ModelHandle", "ModelRepository", "ModelRow"]
