/* Storelift recommendation blocks: all slots of a page in one request */
((w,d,N)=>{
let L=k=>{try{return localStorage["sl_"+k]}catch(e){}},B=()=>{},
run=()=>{let E=[...d.querySelectorAll("storelift-recs:not([data-done])")],a=E[0]?.dataset,V=w.storelift?._?.V||L("v"),q=new URLSearchParams,T=d.createElement("template"),P;
if(!a)return;P=a.x;
E.map(({dataset:o})=>{o.done=1;q.append("block",o.b);q.append("limit",o.n||4);q.append("title",o.h||"")});
for(let[k,v]of[["product_id",a.p],["cart",a.c],["visitor_id",V],["currency",a.m]])v&&q.set(k,v);
fetch(P+"/recommendations?"+q).then(r=>r.ok?r.text():"").then(h=>{T.innerHTML=h;let K=[...T.content.children];
E.map((el,j)=>{let S=K[j],R;if(!S)return;R=el.attachShadow({mode:"open"});R.append(S);
let s=(t,o)=>V&&fetch(P+"/recommendations/"+t,{method:"POST",keepalive:!0,
body:JSON.stringify({v:V,r:S.dataset.rec,b:S.dataset.b,c:L("c"),g:N.globalPrivacyControl,w:N.webdriver,...o})}).catch(B);
new IntersectionObserver((e,o)=>{e.some(x=>x.isIntersecting)&&(o.disconnect(),
s("impression",{i:[...R.querySelectorAll("a[data-i]")].map(x=>x.dataset.i)}))}).observe(el);
R.addEventListener("click",e=>{let x=e.target.closest("[data-i]");x&&(s("click",{p:x.dataset.i,n:+x.dataset.n}),x.form&&w.storelift?.track?.("add_to_cart"))})
})}).catch(B)};
d.readyState=="complete"?run():(d.addEventListener("DOMContentLoaded",run),w.addEventListener("load",run))
})(window,document,navigator)
