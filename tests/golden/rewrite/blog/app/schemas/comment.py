from pydantic import BaseModel, ConfigDict

from app.models.comment import CommentBase


class CommentCreate(BaseModel):
    content: str
    author_id: int


class CommentOut(CommentBase):
    model_config = ConfigDict(from_attributes=True)
