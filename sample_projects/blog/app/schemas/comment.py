from pydantic import BaseModel, ConfigDict


class CommentCreate(BaseModel):
    content: str
    author_id: int


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    content: str
    post_id: int
    author_id: int
