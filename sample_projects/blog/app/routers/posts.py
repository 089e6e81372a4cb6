from fastapi import APIRouter, Depends, HTTPException, Response, status
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from app.db import get_db
from app.models import Comment, Post, User
from app.schemas.comment import CommentCreate, CommentOut
from app.schemas.post import PostCreate, PostOut, PostSummary, PostUpdate

router = APIRouter(prefix="/posts", tags=["posts"])


def _get_post(db: Session, post_id: int) -> Post:
    post = db.get(Post, post_id)
    if post is None:
        raise HTTPException(status_code=404, detail="post not found")
    return post


@router.post("", response_model=PostOut, status_code=status.HTTP_201_CREATED)
def create_post(payload: PostCreate, author_id: int, db: Session = Depends(get_db)):
    if db.get(User, author_id) is None:
        raise HTTPException(status_code=404, detail="author not found")
    post = Post(**payload.model_dump(), author_id=author_id)
    db.add(post)
    db.commit()
    db.refresh(post)
    return post


@router.get("", response_model=list[PostOut])
def list_posts(published: bool | None = None, db: Session = Depends(get_db)):
    stmt = select(Post).order_by(Post.id)
    if published is not None:
        stmt = stmt.where(Post.published == published)
    return db.scalars(stmt).all()


@router.get("/summaries", response_model=list[PostSummary])
def post_summaries(db: Session = Depends(get_db)):
    # legacy query API, and one extra query per post for its author (N+1)
    posts = db.query(Post).order_by(Post.id).all()
    result = []
    for post in posts:
        result.append(PostSummary(id=post.id, title=post.title, author_name=post.author.username))
    return result


@router.get("/search", response_model=list[PostOut])
def search_posts(q: str, db: Session = Depends(get_db)):
    # string-built SQL: an injection risk kept here on purpose
    rows = db.execute(text(f"SELECT id FROM posts WHERE title LIKE '%{q}%' ORDER BY id")).all()
    return [db.get(Post, row.id) for row in rows]


@router.get("/{post_id}", response_model=PostOut)
def read_post(post_id: int, db: Session = Depends(get_db)):
    return _get_post(db, post_id)


@router.patch("/{post_id}", response_model=PostOut)
def update_post(post_id: int, payload: PostUpdate, db: Session = Depends(get_db)):
    post = _get_post(db, post_id)
    for key, value in payload.model_dump(exclude_unset=True).items():
        setattr(post, key, value)
    db.commit()
    db.refresh(post)
    return post


@router.delete("/{post_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_post(post_id: int, db: Session = Depends(get_db)):
    db.delete(_get_post(db, post_id))
    db.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/{post_id}/comments", response_model=CommentOut, status_code=status.HTTP_201_CREATED)
def add_comment(post_id: int, payload: CommentCreate, db: Session = Depends(get_db)):
    _get_post(db, post_id)
    comment = Comment(post_id=post_id, **payload.model_dump())
    db.add(comment)
    db.commit()
    db.refresh(comment)
    return comment


@router.get("/{post_id}/comments", response_model=list[CommentOut])
def list_comments(post_id: int, db: Session = Depends(get_db)):
    _get_post(db, post_id)
    return db.scalars(select(Comment).where(Comment.post_id == post_id).order_by(Comment.id)).all()
